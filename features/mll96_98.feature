@carepath
Feature: JILSG MLL96/MLL98: treatment by MLL status, and HSCT only in first remission
  MLL-rearranged infants had intensive chemotherapy followed by HSCT, MLL-germline infants chemotherapy
  alone; HSCT was offered in first complete remission (CR1). Remission at the end of induction is an M1
  marrow (under 5 % blasts) with no extramedullary disease; M2 is 5 % to under 25 %, M3 25 % or more.
  A duplication of 11q23 (dupMLL) counts as germline.

  Background:
    Given the protocol "protocols/mll96_98.care"

  Scenario Outline: Treatment by MLL status (<mll>)
    Given a patient "P" with:
      | field | value |
      | mll   | <mll> |
    When the protocol is evaluated
    Then the decision "treatment" for patient "P" is "<treatment>"
    And the decision "hsct_referral" for patient "P" is "<referral>"

    Examples:
      | mll           | treatment                        | referral     |
      | translocation | intensive_chemotherapy_then_hsct | yes          |
      | germline      | chemotherapy_only                | no           |
      | duplication   | chemotherapy_only                | no           |
      |               | undetermined                     | undetermined |

  Scenario Outline: Marrow at the end of induction, <blasts> blasts
    Given a patient "P" with:
      | field                   | value         |
      | mll                     | translocation |
      | induction_marrow_blasts | <blasts>      |
      | extramedullary_disease  | false         |
    When the protocol is evaluated
    Then the decision "marrow_status" for patient "P" is "<marrow>"
    And the decision "hsct_now" for patient "P" is "<now>"
    And the decision "not_in_remission" for patient "P" is "<not in remission>"

    Examples:
      | blasts | marrow | now | not in remission |
      | 0 %    | m1     | yes | no               |
      | 4.9 %  | m1     | yes | no               |
      | 5 %    | m2     | no  | yes              |
      | 24.9 % | m2     | no  | yes              |
      | 25 %   | m3     | no  | yes              |
      | 100 %  | m3     | no  | yes              |

  Scenario Outline: Extramedullary disease at the end of induction (<extramedullary>)
    Given a patient "P" with:
      | field                   | value            |
      | mll                     | translocation    |
      | induction_marrow_blasts | 2 %              |
      | extramedullary_disease  | <extramedullary> |
    When the protocol is evaluated
    Then the decision "hsct_now" for patient "P" is "<now>"
    And the decision "not_in_remission" for patient "P" is "<not in remission>"

    Examples:
      | extramedullary | now          | not in remission |
      | false          | yes          | no               |
      | true           | no           | yes              |
      |                | undetermined | undetermined     |

  Scenario: Without the marrow, an MLL-rearranged infant is referred but not yet told to go to transplant
    Given a patient "P" with:
      | field | value         |
      | mll   | translocation |
    When the protocol is evaluated
    Then the decision "hsct_referral" for patient "P" is "yes"
    And the decision "hsct_now" for patient "P" is "undetermined"
    And patient "P" is undetermined and needs "induction_marrow_blasts, extramedullary_disease"

  Scenario: A germline infant is never sent to transplant, in remission or not
    Given a patient "P" with:
      | field                   | value    |
      | mll                     | germline |
      | induction_marrow_blasts | 30 %     |
      | extramedullary_disease  | false    |
    When the protocol is evaluated
    Then the decision "hsct_now" for patient "P" is "no"
    And the decision "not_in_remission" for patient "P" is "no"
    And the decision "marrow_status" for patient "P" is "m3"
