@carepath
Feature: Response and status derived from the raw findings, not typed in as verdicts
  The prednisone response from the day-8 blood blast count (poor at 1,000/µL or more); CNS status 1/2/3
  from the lumbar puncture (CNS1 no blasts; CNS2 blasts with CSF WBC under 5/µL, or a traumatic tap
  negative by the Steinherz-Bleyer rule; CNS3 WBC 5/µL or more with blasts, a traumatic tap with CSF
  WBC/RBC more than twice the blood's, or clinical CNS leukaemia); the marrow at the end of induction
  (M1 under 5 %, M2 5 % to under 25 %, M3 25 % or more); remission = M1 and no extramedullary disease.
  A missing finding leaves its status undetermined, never good, CNS1 or in remission.

  Background:
    Given the protocol "protocols/disease_status.care"

  Scenario Outline: <blasts> blasts/µL on day 8: <response> response
    Given a patient "P" with:
      | field                  | value    |
      | prednisone_day8_blasts | <blasts> |
    When the protocol is evaluated
    Then the decision "prednisone_response" for patient "P" is "<response>"

    Examples:
      | blasts       | response     |
      | 0 /uL        | good         |
      | 999 /uL      | good         |
      | 999.9 /uL    | good         |
      | 1000 /uL     | poor         |
      | 1 10*9/L     | poor         |
      | 1001 /uL     | poor         |
      |              | undetermined |

  Scenario Outline: CNS status: <case>
    Given a patient "P" with:
      | field              | value       |
      | csf_blasts         | <blasts>    |
      | csf_wbc            | <csf wbc>   |
      | csf_rbc            | <csf rbc>   |
      | traumatic_tap      | <traumatic> |
      | blood_wbc          | 100000 /uL  |
      | blood_rbc          | 4000000 /uL |
      | cns_clinical_signs | <signs>     |
    When the protocol is evaluated
    Then the decision "cns_status" for patient "P" is "<status>"

    # Steinherz-Bleyer: blood 100,000 / 4,000,000 = 0.025, twice that 0.05; CSF 100 / 2,000 = 0.05 (not
    # above), 101 / 2,000 = 0.0505 (above).
    Examples:
      | case                                  | blasts | csf wbc | csf rbc  | traumatic | signs | status       |
      | no blasts, high WBC                   | false  | 50 /uL  | 0 /uL    | false     | false | cns1         |
      | blasts, WBC 4.9/µL                    | true   | 4.9 /uL | 0 /uL    | false     | false | cns2         |
      | blasts, WBC 5/µL                      | true   | 5 /uL   | 0 /uL    | false     | false | cns3         |
      | traumatic, ratio exactly twice        | true   | 100 /uL | 2000 /uL | true      | false | cns2         |
      | traumatic, ratio above twice          | true   | 101 /uL | 2000 /uL | true      | false | cns3         |
      | clinical signs, no blasts             | false  | 0 /uL   | 0 /uL    | false     | true  | cns3         |
      | clinical signs unknown, blasts, WBC 3 | true   | 3 /uL   | 0 /uL    | false     |       | undetermined |
      | no cytospin result                    |        | 3 /uL   | 0 /uL    | false     | false | undetermined |

  Scenario: A traumatic tap with blasts and no blood counts cannot be graded
    Given a patient "P" with:
      | field              | value    |
      | csf_blasts         | true     |
      | csf_wbc            | 30 /uL   |
      | csf_rbc            | 5000 /uL |
      | traumatic_tap      | true     |
      | cns_clinical_signs | false    |
    When the protocol is evaluated
    Then the decision "cns_status" for patient "P" is "undetermined"
    And "steinherz_bleyer_positive" is unknown for patient "P"

  Scenario Outline: Marrow with <blasts> blasts, extramedullary disease "<extramedullary>"
    Given a patient "P" with:
      | field                   | value            |
      | induction_marrow_blasts | <blasts>         |
      | extramedullary_disease  | <extramedullary> |
    When the protocol is evaluated
    Then the decision "marrow_status" for patient "P" is "<marrow>"
    And the decision "remission" for patient "P" is "<remission>"

    Examples:
      | blasts | extramedullary | marrow       | remission         |
      | 0 %    | false          | m1           | complete          |
      | 4.9 %  | false          | m1           | complete          |
      | 5 %    | false          | m2           | induction_failure |
      | 24.9 % | false          | m2           | induction_failure |
      | 25 %   | false          | m3           | induction_failure |
      | 2 %    | true           | m1           | induction_failure |
      | 2 %    |                | m1           | undetermined      |
      | 30 %   |                | m3           | induction_failure |
      |        | false          | undetermined | undetermined      |
