@carepath
Feature: The seed cohort read as the paper prints it, and as a FHIR Bundle
  A registry export keeps Table 1 as printed: "6M" for six completed months, "33,900" under a header that
  says /mL where /µL is meant, "t(4;11)(q21;q23)" and "dupMLL(11q23)" for the MLL finding, "-" for none.
  Its data map says how to read each column; the FHIR Bundle's map says which resources and codes hold
  each input. Both give the seed rule's decisions for the nine infants, as the YAML records do.

  Scenario Outline: The seed rule on the <form> form refers seven of the nine infants
    Given the protocol "protocols/severance_2011.care"
    And the patients in "<data>" read through the map "<map>"
    When the protocol is evaluated
    Then no patient is rejected
    And 7 of the 9 patients are assigned "high" for "risk_group"
    And patient "3" is assigned "standard" for "risk_group"
    And "risk_group" for patient "9" was decided by "hyperleukocytosis, mll_translocation"
    And patient "6" has "wbc_at_diagnosis" recorded as "123,800 /µL"

    Examples:
      | form | data                              | map                                   |
      | CSV  | cohorts/severance_2011.csv        | cohorts/severance_2011.csv.map.yaml   |
      | FHIR | cohorts/severance_2011.fhir.json  | cohorts/severance_2011.fhir.map.yaml  |
